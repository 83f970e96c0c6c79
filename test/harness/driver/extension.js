// Test driver: in code-server's extension host, loads the integration suite (IPINV_TEST_SUITE), calls its run() as
// @vscode/test-electron would, and posts every result to the harness (IPINV_TEST_REPORT_URL). Plain JS: it is
// copied as is into the run's extensions folder and never bundled or packaged.
'use strict';
const http = require('node:http');
const vscode = require('vscode');

const sinkKey = '__ipinvTestSink'; // same key as test/harness/testEvents.ts

/** Posts one JSON event; resolves with the HTTP status (0 when the harness cannot be reached). */
function post(url, event) {
  return new Promise((resolve) => {
    const body = Buffer.from(JSON.stringify(event), 'utf8');
    const request = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': body.length }, timeout: 10000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode || 0));
    });
    request.on('timeout', () => request.destroy(new Error('timeout')));
    request.on('error', () => resolve(0));
    request.end(body);
  });
}

function describe(error) {
  return error instanceof Error ? error.stack || `${error.name}: ${error.message}` : String(error);
}

async function runSuite(url, suitePath) {
  // Events go out one after another, in the order mocha emitted them.
  let queue = Promise.resolve();
  const send = (event) => {
    queue = queue.then(() => post(url, event));
    return queue;
  };
  // The harness answers 409 to a second extension host (another window): only the first one runs the suite.
  const status = await send({ type: 'hello', vscodeVersion: vscode.version, pid: process.pid });
  if (status !== 204) return;
  globalThis[sinkKey] = send;
  try {
    const suite = require(suitePath);
    if (typeof suite.run !== 'function') throw new Error(`${suitePath} does not export run()`);
    await suite.run();
    await send({ type: 'end', ok: true });
  } catch (error) {
    await send({ type: 'end', ok: false, error: describe(error) });
  } finally {
    delete globalThis[sinkKey];
  }
}

exports.activate = function activate() {
  const url = process.env.IPINV_TEST_REPORT_URL;
  const suitePath = process.env.IPINV_TEST_SUITE;
  if (!url || !suitePath) return;
  // Not awaited: activation returns at once and the suite runs beside the other extensions' activation.
  setImmediate(() => void runSuite(url, suitePath));
};

exports.deactivate = function deactivate() {};
