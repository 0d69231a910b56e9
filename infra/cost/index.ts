export * from "./cost";
export * from "./load-prices";
export * from "./prices";
