export * from "./expand";
export * from "./model";
export * from "./names";
export * from "./place";
export * from "./diff";
