/** The Kubernetes policies' readers: quantities and image references, as Kubernetes and registries read them. */
import { imagePinProblem } from "../kubernetes-images-pinned";
import { parseQuantity } from "../kubernetes";

describe("parseQuantity", () => {
  test.each([
    ["6000m", 6],
    ["6", 6],
    ["0.5", 0.5],
    [".5", 0.5],
    ["1.5Gi", 1.5 * 2 ** 30],
    ["12288Mi", 12288 * 2 ** 20],
    ["1G", 1e9],
    ["1e3", 1000],
    ["2E", 2e18],
    ["2Ei", 2 * 2 ** 60],
    [4, 4],
  ] as const)("%s is %d", (text, value) => expect(parseQuantity(text)).toBe(value));

  test.each(["six", "", "12 Gi", "1Gb", "1mi", "--1"])("%j is no quantity", (text) => {
    expect(parseQuantity(text)).toBeUndefined();
  });
});

describe("imagePinProblem", () => {
  const digest = `sha256:${"ab".repeat(32)}`;
  test.each([
    "ghcr.io/fieldcrew/app:2026.11.3",
    "app:1",
    "registry.local:5000/app:v2",
    `ghcr.io/fieldcrew/app@${digest}`,
    `ghcr.io/fieldcrew/app:latest@${digest}`,
  ])("%s is pinned", (image) => expect(imagePinProblem(image)).toBeUndefined());

  test.each([
    ["app", "has no tag or digest"],
    ["registry.local:5000/app", "has no tag or digest"],
    ["app:latest", "is tagged latest"],
    ["app:LATEST", "is tagged latest"],
    ["app:", "has an empty tag"],
    ["app@sha256:abc", "which is no sha256 digest"],
    ["", "names no image"],
  ])("%j is not: %s", (image, problem) => expect(imagePinProblem(image)).toContain(problem));
});
