#!/usr/bin/env node
// Container healthcheck: healthy once the broker answers an ApiVersions (v0)
// request on 127.0.0.1 with no error. The socket is bound before the logs are
// loaded, so an open port alone would report healthy too early.
//   node broker/docker/healthcheck.mjs [port]   (default 9092; exit 0 healthy, 1 not)
import net from "node:net";

const port = Number(process.argv[2] ?? 9092);
const TIMEOUT_MS = 3_000;
const API_VERSIONS = 18;
const CORRELATION_ID = 0x5c1ce;
const clientId = Buffer.from("sluice-healthcheck");

// Request header v1 (api key, version, correlation id, client id), no body for v0.
const header = Buffer.alloc(10);
header.writeInt16BE(API_VERSIONS, 0);
header.writeInt16BE(0, 2);
header.writeInt32BE(CORRELATION_ID, 4);
header.writeInt16BE(clientId.length, 8);
const size = Buffer.alloc(4);
size.writeInt32BE(header.length + clientId.length, 0);

const socket = net.connect({ host: "127.0.0.1", port });
const fail = () => process.exit(1);
socket.setTimeout(TIMEOUT_MS, fail);
socket.on("error", fail);
socket.on("connect", () => socket.write(Buffer.concat([size, header, clientId])));
let received = Buffer.alloc(0);
socket.on("data", (chunk) => {
  received = Buffer.concat([received, chunk]);
  // Response: size (4), correlation id (4), error code (2), then the API list.
  if (received.length < 10) return;
  process.exit(received.readInt32BE(4) === CORRELATION_ID && received.readInt16BE(8) === 0 ? 0 : 1);
});
