/**
 * The GitOps workflows: their triggers, jobs and order, and every `tenancy` command they run checked
 * against the CLI's real commands and options.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { buildProgram } from "../main";
import { REPO_ROOT } from "../../testing/fixtures";

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
}
interface Job {
  "runs-on": string | string[];
  env?: Record<string, string>;
  needs?: string | string[];
  if?: string;
  environment?: string;
  strategy?: { matrix?: Record<string, unknown> };
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const workflow = (name: string) =>
  parse(readFileSync(path.join(REPO_ROOT, ".github/workflows", `${name}.yml`), "utf8")) as Workflow;
const steps = (wf: Workflow) => Object.values(wf.jobs).flatMap((job) => job.steps);
const pulumiSteps = (job: Job) => job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));

describe("the workflows", () => {
  test("ci runs the project's tests exactly as .ci/run does, on pushes to main and pull requests", () => {
    const ci = workflow("ci");
    expect(Object.keys(ci.on).sort()).toEqual(["pull_request", "push"]);
    expect(
      steps(ci)
        .map((s) => s.run)
        .filter(Boolean),
    ).toEqual(["sudo --preserve-env=PATH bash .ci/run"]);
  });

  test("preview: on pull requests, previews each affected stack with the pack and its config, and comments", () => {
    const preview = workflow("preview");
    expect(Object.keys(preview.on)).toEqual(["pull_request"]);
    const { affected, preview: job } = preview.jobs;
    expect(affected?.steps.some((s) => s.run?.includes("npx tenancy affected --base"))).toBe(true);
    expect(affected?.steps.some((s) => s.run?.includes("npx tenancy diff --base"))).toBe(true);
    expect(affected?.steps.some((s) => s.run?.includes("gh pr comment"))).toBe(true);
    expect(job?.needs).toBe("affected");
    expect(job?.strategy?.matrix?.stack).toBe("${{ fromJSON(needs.affected.outputs.stacks) }}");
    expect(pulumiSteps(job!).map((s) => s.with)).toEqual([
      expect.objectContaining({
        command: "preview",
        "stack-name": "${{ matrix.stack }}",
        "comment-on-pr": true,
        policyPacks: "policies",
        policyPackConfigs: "policies/policy-config.json",
      }),
    ]);
  });

  test("deploy: on merge to main, pulumi up shared before dedicated, in the protected environment, with the pack", () => {
    const deploy = workflow("deploy");
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    const { shared, dedicated } = deploy.jobs;
    expect(dedicated?.needs).toContain("shared");
    for (const [stack, job] of [
      ["shared", shared],
      ["dedicated", dedicated],
    ] as const) {
      expect(job?.environment).toBe("production");
      expect(job?.if).toContain(`'${stack}'`);
      expect(pulumiSteps(job!).map((s) => s.with)).toEqual([
        expect.objectContaining({
          command: "up",
          "stack-name": stack,
          policyPacks: "policies",
          policyPackConfigs: "policies/policy-config.json",
        }),
      ]);
    }
  });

  test("deploy: every job that runs pulumi up runs on the deploy runner, inside adminCidrs, and only those do", () => {
    const runner = ["self-hosted", "linux", "tenancy-deploy"];
    const jobs = Object.values(workflow("deploy").jobs);
    const deploying = jobs.filter((job) => pulumiSteps(job).length > 0);
    expect(deploying).toHaveLength(2);
    for (const job of deploying) expect(job["runs-on"]).toEqual(runner);
    // The CI runner runs pull requests' code: it never holds the production tokens, nor does a job that
    // does not need a host.
    for (const name of ["ci", "preview"]) {
      for (const job of Object.values(workflow(name).jobs)) expect(job["runs-on"]).not.toEqual(runner);
    }
    for (const job of jobs.filter((j) => pulumiSteps(j).length === 0)) {
      expect(job.environment).toBeUndefined();
      expect(job["runs-on"]).not.toEqual(runner);
    }
    const guide = readFileSync(path.join(REPO_ROOT, "docs", "deploy.md"), "utf8");
    expect(guide).toContain(`runs-on: [${runner.join(", ")}]`);
  });

  test("state lives where one setting says, for every Pulumi step", () => {
    for (const name of ["preview", "deploy"]) {
      for (const job of Object.values(workflow(name).jobs)) {
        for (const step of pulumiSteps(job))
          expect(step.with?.["cloud-url"]).toBe("${{ vars.PULUMI_BACKEND_URL }}");
      }
    }
  });

  test("every Pulumi step gets the providers' credentials from the environment: read-only to preview, read-write to deploy", () => {
    const tokens = (job: Job) => ({
      hcloud: job.env?.HCLOUD_TOKEN,
      cloudflare: job.env?.CLOUDFLARE_API_TOKEN,
    });
    const preview = workflow("preview").jobs.preview!;
    expect(tokens(preview)).toEqual({
      hcloud: "${{ secrets.HCLOUD_TOKEN_READ }}",
      cloudflare: "${{ secrets.CLOUDFLARE_API_TOKEN_READ }}",
    });
    for (const job of Object.values(workflow("deploy").jobs).filter((j) => pulumiSteps(j).length > 0)) {
      expect(job.environment).toBe("production");
      expect(tokens(job)).toEqual({
        hcloud: "${{ secrets.HCLOUD_TOKEN }}",
        cloudflare: "${{ secrets.CLOUDFLARE_API_TOKEN }}",
      });
    }
  });

  test("every tenancy command a workflow runs exists, with the options it is given", () => {
    const program = buildProgram(() => Promise.resolve());
    const commands = new Map(program.commands.map((c) => [c.name(), c.options.map((o) => o.long)]));
    const calls = ["ci", "preview", "deploy"]
      .flatMap((name) => steps(workflow(name)))
      .flatMap((s) => [
        ...(s.run ?? "").matchAll(/npx tenancy ([a-z-]+)((?: --?[a-z-]+(?: [^\s|>-][^\s|>]*)?)*)/g),
      ]);
    expect(calls.length).toBeGreaterThanOrEqual(5);
    for (const [, command, args] of calls) {
      expect({ command, known: commands.has(command!) }).toEqual({ command, known: true });
      for (const option of (args ?? "").match(/--[a-z-]+/g) ?? []) {
        expect({ command, option, known: commands.get(command!)?.includes(option) }).toEqual({
          command,
          option,
          known: true,
        });
      }
    }
  });
});
