/**
 * The tenancy policy pack. Run it with:
 *   pulumi preview -s shared --policy-pack policies --policy-pack-config policies/policy-config.json
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICIES } from "./policies";

new PolicyPack("tenancy", { policies: POLICIES });
