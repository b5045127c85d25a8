import { parseJsonLossless } from "./src/transport/json.ts";
const MB = 1024*1024;
function fill(size: number, item: (i:number)=>string) { const parts: string[] = []; let n = 2; for (let i=0; n<size; i++){ const s=item(i); parts.push(s); n+=s.length+1;} return `[${parts.join(",")}]`; }
const text = fill(MB, (i) => `{"cost":1.${i % 10}}`);
const keys = new Set(["cost","balance"]);
const quoted = text.replace(/("cost":)(1\.\d)/g, '$1"$2"');
function cpu(fn: ()=>unknown){ const r:number[]=[]; for(let i=0;i<12;i++){ const s=process.cpuUsage(); fn(); const d=process.cpuUsage(s); r.push((d.user+d.system)/1000);} r.sort((a,b)=>a-b); return r[6].toFixed(1); }
console.log("JSON.parse plain", cpu(()=>JSON.parse(text)));
console.log("JSON.parse quoted", cpu(()=>JSON.parse(quoted)));
console.log("lossless", cpu(()=>parseJsonLossless(text, keys)));
