import assert from "node:assert/strict";
import net from "node:net";
import { describe, it } from "node:test";
import { startTestBroker } from "../helpers/broker";

describe("graceful shutdown", () => {
  // Before the fix, a drained connection was only half-closed (FIN sent) and
  // server.close() waited for the peer to close its side: a client that keeps
  // its half open (allowHalfOpen, or one that stopped reading) kept shutdown
  // from ever finishing.
  it("finishes while a client keeps its half of the connection open", { timeout: 30_000 }, async () => {
    const node = await startTestBroker();
    const sockets: net.Socket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const socket = net.connect({ host: "127.0.0.1", port: node.port, allowHalfOpen: true });
        socket.on("error", () => {});
        await new Promise<void>((resolve, reject) => socket.once("connect", resolve).once("error", reject));
        sockets.push(socket);
      }
      // One of them also stops reading, as a stuck client does.
      sockets[0].pause();
      await node.stop();
      const stillOpen = sockets.filter((socket) => !socket.destroyed && socket.readyState === "open");
      // Our side may still be open (allowHalfOpen); the broker's side must have gone: reading sees the end or an error.
      for (const socket of stillOpen) {
        socket.resume();
        const ended = await new Promise<boolean>((resolve) => {
          if (socket.readableEnded) return resolve(true);
          socket.once("end", () => resolve(true)).once("close", () => resolve(true)).once("error", () => resolve(true));
        });
        assert.equal(ended, true);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await node.destroy();
    }
  });
});
