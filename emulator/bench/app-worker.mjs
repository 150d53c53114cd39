// A minimal Call Automation app on its own thread, written only against the public SDK: it
// places calls through the control API, answers each IncomingCall, plays a prompt, hangs up,
// and reports when `calls` calls have ended.
import {
  CallAutomationClient,
  parseCallAutomationEvent,
} from '@azure/communication-call-automation';
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { emulatorUrl, connectionString, cognitiveServicesEndpoint, calls, concurrency } = workerData;
const client = new CallAutomationClient(connectionString, { allowInsecureConnection: true });
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let placed = 0;
let ended = 0;
let callbacks = 0;
let started = 0;

function place() {
  if (placed >= calls) return;
  placed++;
  const body = JSON.stringify({
    from: `+1555${String(placed).padStart(7, '0')}`,
    to: '+18005550100',
  });
  const req = http.request(`${emulatorUrl}/emulator/calls`, {
    method: 'POST',
    agent,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
  });
  req.on('response', (res) => res.resume());
  req.on('error', (e) => parentPort.postMessage({ error: String(e) }));
  req.end(body);
}

function readJson(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
  });
}

const server = http.createServer({ keepAliveTimeout: 60_000 }, async (req, res) => {
  const body = await readJson(req);
  if (req.url.startsWith('/events')) {
    const [ev] = body;
    if (req.headers['aeg-event-type'] === 'SubscriptionValidation') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ validationResponse: ev.data.validationCode }));
      return;
    }
    res.writeHead(200);
    res.end();
    // The text prompt needs a Cognitive Services resource linked to the call, as on ACS.
    client
      .answerCall(ev.data.incomingCallContext, `${callbackBase}/callbacks`, {
        callIntelligenceOptions: { cognitiveServicesEndpoint },
      })
      .catch((e) => {
        parentPort.postMessage({ error: String(e) });
      });
    return;
  }
  res.writeHead(204);
  res.end();
  callbacks++;
  const event = parseCallAutomationEvent(body);
  const conn = client.getCallConnection(event.callConnectionId);
  if (event.kind === 'CallConnected') {
    conn
      .getCallMedia()
      .playToAll([{ kind: 'textSource', text: 'Hi' }])
      .catch((e) => parentPort.postMessage({ error: `play: ${String(e)}` }));
  } else if (event.kind === 'PlayCompleted') {
    conn.hangUp(true).catch(() => {});
  } else if (event.kind === 'CallDisconnected') {
    ended++;
    if (ended === calls) {
      parentPort.postMessage({ done: true, ms: performance.now() - started, callbacks });
    } else {
      place();
    }
  }
});

let callbackBase = '';
server.listen(0, '127.0.0.1', () => {
  callbackBase = `http://127.0.0.1:${server.address().port}`;
  parentPort.postMessage({ eventsUrl: `${callbackBase}/events` });
});
parentPort.on('message', (m) => {
  if (m === 'go') {
    started = performance.now();
    for (let i = 0; i < concurrency; i++) place();
  }
  if (m === 'close') server.close(() => process.exit(0));
});
