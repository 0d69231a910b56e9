export { didYouMean } from "./hints";
export * from "./issues";
export * from "./load";
export { MAX_MANIFEST_BYTES, MAX_PRICE_FILE_BYTES, readTextFile, UnreadableFileError } from "./read";
export * from "./schema";
export { DEDICATED_PREFIX, ORIGIN_PREFIX, RESERVED_IDS } from "./rules";
export { reportZodIssue, tightestBounds } from "./messages";
export { MAX_ALIAS_VALUES, parseSource, positionOf, type ManifestSource } from "./source";
export { editTenant, type FieldValue } from "./edit";
