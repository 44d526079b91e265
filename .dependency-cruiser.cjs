// Layering rules, checked by `npm run lint` (depcruise). Why each rule exists is in its comment.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-unresolvable",
      comment: "An import the checker cannot resolve escapes every rule below, so it is an error of its own.",
      severity: "error",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "no-circular",
      comment: "An import cycle ties modules together so that none can be understood, tested or replaced alone.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "protocol-stands-alone",
      comment: "The wire protocol is shared with the console and will be shared by every node role: it imports nothing of the broker.",
      severity: "error",
      from: { path: "^broker/src/protocol/" },
      to: { path: "^broker/", pathNot: "^broker/src/protocol/" },
    },
    {
      name: "storage-knows-no-requests",
      comment: "The log storage is driven by its callers; it must not reach up into request handling, networking, groups or the node's wiring.",
      severity: "error",
      from: { path: "^broker/src/storage/" },
      to: { path: "^broker/src/(handlers|net|coordinator|node)/|^broker/src/broker\\.ts$" },
    },
    {
      name: "node-is-the-root",
      comment: "broker.ts wires the node together; code below it gets what it needs passed in (handlers get NodeServices), so only main.ts may import it.",
      severity: "error",
      from: { path: "^broker/src/", pathNot: "^broker/src/main\\.ts$" },
      to: { path: "^broker/src/broker\\.ts$" },
    },
    {
      name: "raft-stands-alone",
      comment: "The Raft quorum is a deterministic core driven from outside: it uses only the wire protocol and the runtime seams, so it can be simulated and wired into any node role.",
      severity: "error",
      from: { path: "^broker/src/raft/" },
      to: { path: "^broker/src/", pathNot: "^broker/src/(raft|protocol|runtime)/" },
    },
    {
      name: "console-speaks-only-protocol",
      comment: "The console must work against any Kafka cluster, so its runtime code uses the protocol package and never our broker's internals.",
      severity: "error",
      from: { path: "^(app|components|lib|server)/" },
      to: { path: "^broker/", pathNot: "^broker/src/protocol/" },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(node_modules|\\.next|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"], exportsFields: ["exports"], conditionNames: ["import", "require", "node", "default", "types"] },
  },
};
