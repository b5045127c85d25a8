/** `?raw` imports: the file's text, embedded by `build.mjs` (an esbuild plugin) at bundle time. */
declare module "*?raw" {
  const text: string;
  export default text;
}
