import { fileURLToPath } from "node:url";

// This example links otzovik from the repository (`"otzovik": "file:../.."`), so Next must see
// the repository as its root. In your own app (otzovik from npm) drop both `root` settings.
const repositoryRoot = fileURLToPath(new URL("../..", import.meta.url));

/** @type {import("next").NextConfig} */
const nextConfig = {
  // otzovik runs on the Node.js runtime as an ordinary dependency: no need to bundle it.
  serverExternalPackages: ["otzovik"],
  turbopack: { root: repositoryRoot },
  outputFileTracingRoot: repositoryRoot,
};

export default nextConfig;
