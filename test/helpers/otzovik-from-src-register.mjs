// `node --import tsx --import ./test/helpers/otzovik-from-src-register.mjs app.mjs`: see
// otzovik-from-src.mjs. Must come after `--import tsx` (hooks registered later run first).
import { register } from "node:module";

register("./otzovik-from-src.mjs", import.meta.url);
