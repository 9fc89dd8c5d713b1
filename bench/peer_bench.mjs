// peer_bench.mjs: throughput of the `eventsource-parser` npm package (the peer hitl_sse
// is measured against) over the streams gen_streams wrote. Run by bench/run.sh; not a test.
//
// Usage: node peer_bench.mjs --manifest FILE [--set full|small] [--shape SHAPE]
//          [--runs N] [--chunks 4096,1,0] [--cap SECONDS] [--warmup-cap SECONDS]
//
// The parser is fed as a browser or Node client feeds it: each chunk is a Uint8Array
// view of the input, decoded with one streaming TextDecoder, and the resulting string is
// passed to parser.feed(). Chunk 0 means the whole buffer in one call. Each file is read
// into memory before any clock starts; a run counts events and summed data lengths and
// is checked against the manifest (the streams are ASCII, so UTF-16 length == bytes).
//
// A run that passes --cap seconds stops feeding and reports the throughput over the
// bytes fed so far, marked capped (the event check is skipped: the stream was cut).
// Output: the same TSV lines as sse_bench (capped = 1 when any timed run was capped):
//   contender shape chunk runs median_mbps min_mbps max_mbps bytes_fed bytes capped
// where bytes_fed is the smallest number of bytes any timed run fed.
import { readFileSync } from 'node:fs';
import { createParser } from 'eventsource-parser';

function parseArgs(argv) {
  const opts = { manifest: null, set: 'full', shape: null, runs: 5, chunks: [4096, 1, 0],
    cap: 10, warmupCap: 2 };
  for (let i = 0; i < argv.length; i += 2) {
    const [k, v] = [argv[i], argv[i + 1]];
    if (v === undefined) throw new Error(`${k} needs a value`);
    if (k === '--manifest') opts.manifest = v;
    else if (k === '--set') opts.set = v;
    else if (k === '--shape') opts.shape = v;
    else if (k === '--runs') opts.runs = Number(v);
    else if (k === '--chunks') opts.chunks = v.split(',').map(Number);
    else if (k === '--cap') opts.cap = Number(v);
    else if (k === '--warmup-cap') opts.warmupCap = Number(v);
    else throw new Error(`unknown option ${k}`);
  }
  if (!opts.manifest || !(opts.runs >= 1) || !(opts.cap > 0) ||
      opts.chunks.some((c) => !Number.isInteger(c) || c < 0)) {
    throw new Error('usage: node peer_bench.mjs --manifest FILE [--set S] [--shape S] ' +
      '[--runs N] [--chunks 4096,1,0] [--cap SECONDS] [--warmup-cap SECONDS]');
  }
  return opts;
}

function readManifest(path) {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const cols = lines[0].split('\t');
  return lines.slice(1).map((l) => {
    const f = l.split('\t');
    const row = Object.fromEntries(cols.map((c, i) => [c, f[i]]));
    for (const c of ['bytes', 'events', 'data_bytes', 'newlines', 'cap']) row[c] = Number(row[c]);
    return row;
  });
}

// One run; returns { seconds, fed, capped }. Throws if an uncapped run miscounts.
function runOnce(stream, u8, chunk, capSeconds) {
  let events = 0;
  let dataLen = 0;
  const parser = createParser({
    onEvent(ev) {
      events++;
      dataLen += ev.data.length;
    },
  });
  const decoder = new TextDecoder();
  const n = u8.length;
  const capNs = BigInt(Math.round(capSeconds * 1e9));
  // Reading the clock costs ~100 ns: with tiny chunks, look at it every ~64 KiB fed.
  const checkEvery = chunk === 0 ? 1 : Math.max(1, Math.floor(65536 / chunk));
  let fed = 0;
  let capped = false;
  const t0 = process.hrtime.bigint();
  if (chunk === 0 || chunk >= n) {
    parser.feed(decoder.decode(u8, { stream: true }));
    fed = n;
  } else {
    let budget = checkEvery;
    for (let off = 0; off < n; off += chunk) {
      parser.feed(decoder.decode(u8.subarray(off, off + chunk), { stream: true }));
      if (--budget === 0) {
        budget = checkEvery;
        if (process.hrtime.bigint() - t0 > capNs) {
          fed = Math.min(n, off + chunk);
          capped = true;
          break;
        }
      }
    }
    if (!capped) fed = n;
  }
  if (!capped) parser.feed(decoder.decode()); // flush the decoder, as a client does at EOF
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (!capped && (events !== stream.events || dataLen !== stream.data_bytes)) {
    throw new Error(`${stream.shape}, chunk ${chunk}: eventsource-parser reported ${events} ` +
      `events / ${dataLen} data chars, expected ${stream.events} / ${stream.data_bytes}`);
  }
  return { seconds, fed, capped };
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const streams = readManifest(opts.manifest)
    .filter((s) => s.set === opts.set && (!opts.shape || s.shape === opts.shape));
  if (streams.length === 0) throw new Error(`no stream of set '${opts.set}' in ${opts.manifest}`);
  for (const s of streams) {
    const file = readFileSync(s.file);
    if (file.length !== s.bytes) throw new Error(`${s.file}: size differs from the manifest`);
    // A plain Uint8Array over the same memory, as fetch() hands a client its chunks.
    const u8 = new Uint8Array(file.buffer, file.byteOffset, file.length);
    for (const chunk of opts.chunks) {
      // Untimed warm-up, short, so the JIT has compiled the hot paths before timing.
      runOnce(s, u8, chunk, opts.warmupCap);
      const mbps = [];
      let minFed = s.bytes;
      let anyCapped = false;
      for (let r = 0; r < opts.runs; r++) {
        if (globalThis.gc) globalThis.gc(); // start every run from a collected heap
        const { seconds, fed, capped } = runOnce(s, u8, chunk, opts.cap);
        mbps.push(fed / 1e6 / Math.max(seconds, 1e-9));
        minFed = Math.min(minFed, fed);
        anyCapped ||= capped;
      }
      mbps.sort((a, b) => a - b);
      const k = mbps.length;
      const median = k % 2 ? mbps[(k - 1) / 2] : (mbps[k / 2 - 1] + mbps[k / 2]) / 2;
      process.stdout.write(['eventsource-parser', s.shape, chunk, k, median.toFixed(1),
        mbps[0].toFixed(1), mbps[k - 1].toFixed(1), minFed, s.bytes, anyCapped ? 1 : 0]
        .join('\t') + '\n');
    }
  }
}

try {
  main();
} catch (e) {
  process.stderr.write(`peer_bench: ${e.message}\n`);
  process.exit(1);
}
