// Runs M-Lab's own ndt7 client (@m-lab/ndt7, written for browsers) under Node
// against a lab server found through a Locate API v2 URL, and prints one JSON
// line with what it measured. The library needs the browser's Worker and
// WebSocket: Worker is built on worker_threads here, WebSocket is Node's own
// (run with --experimental-websocket on Node 20).
//
// Usage: node --experimental-websocket run.js LOCATE_URL
'use strict';

const path = require('path');
const {Worker: ThreadWorker} = require('worker_threads');

const SHIM = `
const {parentPort, workerData} = require('worker_threads');
globalThis.WebSocket = globalThis.WebSocket || require(workerData.ws);
globalThis.self = globalThis;
globalThis.postMessage = (m) => parentPort.postMessage(m);
require(workerData.file);
parentPort.on('message', (data) => globalThis.onmessage({data}));
`;

// The browser Worker interface the library uses: onmessage, postMessage, terminate.
class BrowserWorker {
  constructor(file) {
    this.onmessage = null;
    this.thread = new ThreadWorker(SHIM, {
      eval: true,
      workerData: {file: path.resolve(file), ws: require.resolve('ws')},
    });
    this.thread.on('message', (data) => this.onmessage && this.onmessage({data}));
    this.thread.on('error', (err) => this.onmessage &&
      this.onmessage({data: {MsgType: 'error', Error: String(err)}}));
  }
  postMessage(data) { this.thread.postMessage(data); }
  terminate() { this.thread.terminate(); }
}
globalThis.Worker = BrowserWorker;

const ndt7 = require('@m-lab/ndt7');
const src = path.dirname(require.resolve('@m-lab/ndt7'));
const out = {errors: []};

ndt7.test({
  loadbalancer: process.argv[2],
  protocol: 'ws',
  userAcceptedDataPolicy: true,
  downloadworkerfile: path.join(src, 'ndt7-download-worker.js'),
  uploadworkerfile: path.join(src, 'ndt7-upload-worker.js'),
}, {
  serverChosen: (s) => { out.server = s.machine; },
  downloadComplete: (d) => { out.download = d; },
  uploadComplete: (u) => { out.upload = u; },
  error: (e) => { out.errors.push(String(e)); },
}).then((code) => {
  out.code = code;
  process.stdout.write(JSON.stringify(out) + '\n');
  process.exit(0);
});
