export { didYouMean } from "./hints";
export * from "./issues";
export * from "./load";
export * from "./schema";
export { DEDICATED_PREFIX, ORIGIN_PREFIX, RESERVED_IDS } from "./rules";
export type { ManifestSource } from "./source";
