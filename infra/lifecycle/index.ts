export * from "./guard";
export * from "./state";
export * from "./volumes";
