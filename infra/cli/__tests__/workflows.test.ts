/**
 * The GitOps workflows: their triggers, jobs and order, and every `tenancy` command they run checked
 * against the CLI's real commands and options. The deploy's alert on a failed `pulumi up` runs for real:
 * the step's own script, with bash as GitHub runs it, a fake `pulumi` and a receiver on loopback.
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { buildProgram } from "../main";
import { REPO_ROOT } from "../../testing/fixtures";

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  shell?: string;
  if?: string;
  env?: Record<string, string>;
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
const POLICY = "--policy-pack policies --policy-pack-config policies/policy-config.json";
/** The deploy jobs, by the stack each deploys. */
const deployJobs = () => {
  const { shared, dedicated, kubernetes } = workflow("deploy").jobs;
  return [
    ["shared", shared!],
    ["dedicated", dedicated!],
    ["kubernetes", kubernetes!],
  ] as const;
};
const upStep = (job: Job) => job.steps.find((s) => s.run?.startsWith("pulumi up "));
const alertStep = (job: Job) => job.steps.find((s) => s.if === "failure()");

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

  test("deploy: on merge to main, pulumi up shared before dedicated and kubernetes, in the protected environment, with the pack", () => {
    const deploy = workflow("deploy");
    expect(deploy.on).toEqual({ push: { branches: ["main"] } });
    expect(deploy.jobs.dedicated?.needs).toContain("shared");
    expect(deploy.jobs.kubernetes?.needs).toContain("shared");
    // The cluster is reached with the stack's kubeconfig; the job gets no Hetzner token.
    expect(deploy.jobs.kubernetes?.env).toEqual({
      CLOUDFLARE_API_TOKEN: "${{ secrets.CLOUDFLARE_API_TOKEN }}",
    });
    for (const [stack, job] of deployJobs()) {
      expect(job.environment).toBe("production");
      expect(job.if).toContain(`'${stack}'`);
      // The action installs the CLI only (no command); the job's own step runs `pulumi up`.
      expect(pulumiSteps(job).map((s) => s.with)).toEqual([undefined]);
      const up = upStep(job);
      expect(up?.run).toBe(
        `pulumi up --yes --non-interactive --stack ${stack} ${POLICY} 2>&1 | tee "$RUNNER_TEMP/pulumi-up.log"`,
      );
      expect(job.steps.indexOf(up!)).toBeGreaterThan(job.steps.indexOf(pulumiSteps(job)[0]!));
    }
  });

  test("deploy: every job that runs pulumi up runs on the deploy runner, inside adminCidrs, and only those do", () => {
    const runner = ["self-hosted", "linux", "tenancy-deploy"];
    const jobs = Object.values(workflow("deploy").jobs);
    const deploying = jobs.filter((job) => pulumiSteps(job).length > 0);
    expect(deploying).toHaveLength(3);
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
      const wf = workflow(name) as Workflow & { env?: Record<string, string> };
      // The CLI reads PULUMI_BACKEND_URL itself (the deploy's `pulumi up` and `pulumi config get`).
      expect(wf.env?.PULUMI_BACKEND_URL).toBe("${{ vars.PULUMI_BACKEND_URL }}");
      for (const job of Object.values(wf.jobs)) {
        for (const step of pulumiSteps(job).filter((s) => s.with?.command !== undefined))
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
    for (const [stack, job] of deployJobs()) {
      expect(job.environment).toBe("production");
      // The kubernetes stack creates nothing at Hetzner: its job holds no Hetzner token.
      expect(tokens(job)).toEqual({
        hcloud: stack === "kubernetes" ? undefined : "${{ secrets.HCLOUD_TOKEN }}",
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

/**
 * The deploy's alert, run as GitHub runs a `shell: bash` step (`bash --noprofile --norc -eo pipefail`),
 * from the repository, with a fake `pulumi` first on PATH (it answers `config get
 * tenancy:alertWebhookUrl` with FAKE_URL, or "not found" when that is unset) and a webhook on loopback.
 */
describe("deploy: a failed pulumi up is heard through the stack's alert webhook", () => {
  const RUN_URL = "https://github.example/acme/tenancy/actions/runs/4242";
  let work = "";
  let server: Server;
  let port = 0;
  let received: { path: string; body: string }[] = [];
  /** Only the webhook knows this path: the secret part of the URL, which nothing may print. */
  const secret = `hook-${randomBytes(12).toString("hex")}`;
  const pulumiOutput = Array.from({ length: 60 }, (_, i) => `pulumi line ${i + 1}`);

  beforeAll(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), "tenancy-deploy-alert-"));
    mkdirSync(path.join(work, "bin"));
    const fake = path.join(work, "bin", "pulumi");
    writeFileSync(
      fake,
      [
        "#!/bin/sh",
        'echo "$*" >> "$RUNNER_TEMP/pulumi-calls"',
        'case "$*" in',
        '  "config get tenancy:alertWebhookUrl --stack "*) ;;',
        '  "up "*) echo "Updating (stack $5)"; echo "error: tenancy: the host bootstrap failed on fake-host:"; exit 255 ;;',
        '  *) echo "fake pulumi: unexpected: $*" >&2; exit 2 ;;',
        "esac",
        '[ "${FAKE_URL+set}" = set ] && { printf "%s\\n" "$FAKE_URL"; exit 0; }',
        [
          "[ -n \"${FAKE_BROKEN:-}\" ] && { echo 'error: incorrect passphrase' >&2; exit 255; }",
          "echo \"error: configuration key 'tenancy:alertWebhookUrl' not found for stack '$4'\" >&2; exit 255",
        ].join("\n"),
        "",
      ].join("\n"),
    );
    chmodSync(fake, 0o755);
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on("data", (chunk: Buffer) => chunks.push(chunk));
      request.on("end", () => {
        received.push({ path: request.url ?? "", body: Buffer.concat(chunks).toString("utf8") });
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(work, { recursive: true, force: true });
  });
  beforeEach(() => {
    received = [];
  });

  /** Runs a step's script as GitHub does for `shell: bash`, with the step's env, in a fresh RUNNER_TEMP. */
  async function runStep(
    step: Step,
    env: Record<string, string>,
    pulumiLog?: string[],
  ): Promise<{ code: number | null; output: string; temp: string }> {
    expect(step.shell).toBe("bash");
    const temp = mkdtempSync(path.join(work, "runner-temp-"));
    if (pulumiLog) writeFileSync(path.join(temp, "pulumi-up.log"), `${pulumiLog.join("\n")}\n`);
    const script = path.join(temp, "step.sh");
    writeFileSync(script, step.run ?? "");
    const child = spawn("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
      cwd: REPO_ROOT,
      env: {
        PATH: `${path.join(work, "bin")}:/usr/bin:/bin`,
        LANG: "C.UTF-8",
        RUNNER_TEMP: temp,
        GITHUB_SERVER_URL: "https://github.example",
        GITHUB_REPOSITORY: "acme/tenancy",
        GITHUB_RUN_ID: "4242",
        ...step.env,
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    return { code, output, temp };
  }

  const url = () => `http://127.0.0.1:${port}/${secret}`;

  test("every Pulumi job tees pulumi up into the log, and a failed pulumi up fails its step (pipefail)", async () => {
    for (const [, job] of deployJobs()) {
      const { code, output, temp } = await runStep(upStep(job)!, {});
      expect(code).not.toBe(0);
      expect(output).toContain("tenancy: the host bootstrap failed on fake-host:");
      expect(readFileSync(path.join(temp, "pulumi-up.log"), "utf8")).toContain(
        "tenancy: the host bootstrap failed on fake-host:",
      );
    }
  });

  test("every Pulumi job has the alert step, after pulumi up, on failure only, running the same script", () => {
    for (const [stack, job] of deployJobs()) {
      const alert = alertStep(job);
      expect(alert).toMatchObject({
        shell: "bash",
        env: { STACK: stack },
        run: "bash .github/deploy-failed.sh",
      });
      expect(job.steps.indexOf(alert!)).toBeGreaterThan(job.steps.indexOf(upStep(job)!));
      // The step's env holds no expression: nothing of a run's data is interpolated into the script.
      expect(JSON.stringify(alert)).not.toContain("${{");
    }
  });

  test.each(deployJobs().map(([stack]) => stack))(
    "%s: posts one deploy-failed object, tenancy-notify's shape, with the stack, the run and the log tail; never prints the URL",
    async (stack) => {
      const job = deployJobs().find(([name]) => name === stack)![1];
      const { code, output, temp } = await runStep(alertStep(job)!, { FAKE_URL: url() }, pulumiOutput);
      expect({ code, output }).toMatchObject({ code: 0 });
      expect(readFileSync(path.join(temp, "pulumi-calls"), "utf8")).toBe(
        `config get tenancy:alertWebhookUrl --stack ${stack}\n`,
      );
      expect(received.map((r) => r.path)).toEqual([`/${secret}`]);
      const body = JSON.parse(received[0]!.body) as Record<string, unknown>;
      expect(Object.keys(body).sort()).toEqual(["event", "host", "log", "status", "tenant", "time", "unit"]);
      expect(body).toMatchObject({
        event: "deploy-failed",
        unit: null,
        tenant: null,
        status: `pulumi up of stack ${stack} failed: ${RUN_URL}`,
        log: pulumiOutput.slice(-50).join("\n"),
      });
      expect(body.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(output).not.toContain(secret);
      expect(output).not.toContain(`127.0.0.1:${port}`);
    },
  );

  test("no URL (not set, or set empty): says no channel is configured, posts nothing, exits 0", async () => {
    const alert = alertStep(deployJobs()[0][1])!;
    for (const env of [{}, { FAKE_URL: "" }] as Record<string, string>[]) {
      const { code, output } = await runStep(alert, env, pulumiOutput);
      expect({ code, output }).toEqual({
        code: 0,
        output:
          "deploy-failed: no alert channel configured (tenancy:alertWebhookUrl of stack shared): not notified\n",
      });
    }
    expect(received).toEqual([]);
  });

  test("an unreadable setting or an unreachable webhook fails the step, and the output still holds no URL", async () => {
    const alert = alertStep(deployJobs()[0][1])!;
    const broken = await runStep(alert, { FAKE_BROKEN: "1" }, pulumiOutput);
    expect(broken).toMatchObject({ code: 1, output: "error: incorrect passphrase\n" });
    // A port that was just free: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = await runStep(
      alert,
      { FAKE_URL: `http://127.0.0.1:${closedPort}/${secret}` },
      pulumiOutput,
    );
    expect(unreachable.code).not.toBe(0);
    expect(unreachable.output).toContain("could not notify deploy-failed");
    expect(unreachable.output).not.toContain(secret);
    // curl's own messages name the address; tenancy-notify takes the URL and its host:port out.
    expect(unreachable.output).not.toContain(`127.0.0.1:${closedPort}`);
    expect(received).toEqual([]);
  }, 60_000);
});
