/**
 * Progress of `tenancy plan` on a terminal: stack by stack, the resources registered, each policy run,
 * and the time left (estimated by cli-progress from the steps done). Drawn on stderr, and only when
 * stderr is a terminal and the output is not --json, so that pipes, CI logs and JSON stay clean.
 */
import { Presets, SingleBar } from "cli-progress";
import type { Tier } from "../plans";

export interface PlanProgress {
  /** A stack's program is running; `registered` resources so far. */
  registering(tier: Tier, registered: number): void;
  /** A stack is recorded: one step done. */
  recorded(tier: Tier, resources: number): void;
  /** A policy is about to run on a stack: the one before it, if any, is a step done. */
  policy(tier: Tier, name: string, index: number, of: number): void;
  stop(): void;
}

/** A progress bar over `steps` (each stack recorded, each policy run), or none when it must stay quiet. */
export function planProgress(
  steps: number,
  options: { json: boolean; stream?: NodeJS.WriteStream },
): PlanProgress | undefined {
  const stream = options.stream ?? process.stderr;
  if (options.json || !stream.isTTY) return undefined;
  const bar = new SingleBar(
    {
      stream,
      format: "tenancy plan [{bar}] {percentage}% | {stage} | time left {eta_formatted}",
      clearOnComplete: true,
      hideCursor: true,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  let done = 0;
  let policyRunning = false; // the policy before this one is then done
  bar.start(steps, 0, { stage: "starting" });
  return {
    registering: (tier, registered) =>
      bar.update(done, {
        stage: `stack ${tier}: ${registered} ${registered === 1 ? "resource" : "resources"} registered`,
      }),
    recorded: (tier, resources) => {
      done += 1;
      bar.update(done, {
        stage: `stack ${tier}: ${resources} ${resources === 1 ? "resource" : "resources"} registered`,
      });
    },
    policy: (tier, name, index, of) => {
      if (policyRunning) done += 1;
      policyRunning = true;
      bar.update(done, { stage: `stack ${tier}: policy ${index + 1} of ${of}, ${name}` });
    },
    stop: () => bar.stop(),
  };
}
