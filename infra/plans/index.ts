export * from "./catalogue";
export * from "./hetzner";
export * from "./sizing";
export * from "./residency";
export * from "./maintenance";
