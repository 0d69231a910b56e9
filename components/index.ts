export * from "./backup-target";
export * from "./container-tenant";
export * from "./context";
export * from "./dedicated-tenant";
export * from "./host-server";
export * from "./shared-host";
export * from "./tenant-passwords";
export * from "./zone";
