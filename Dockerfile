# The Sluice console: `next build`, then `next start` on 0.0.0.0:3000.
#   docker build -t sluice-console .
#   docker run -p 3000:3000 -e KAFKA_BROKERS=host:9092 sluice-console
# The cluster settings are the same environment variables as for `npm start`
# (KAFKA_BROKERS, KAFKA_SSL*, KAFKA_SASL*; see README.md).

# The full image has python3, make and g++, in case a native module (zstd-napi)
# finds no prebuilt binary and compiles from source.
FROM node:20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY broker/package.json broker/
COPY broker/src/protocol/package.json broker/src/protocol/
RUN npm ci --no-audit --no-fund

# The console imports the wire codecs from the @sluice/protocol workspace package
# (broker/src/protocol, compiled by Next), so the build needs the broker's sources
# too (.dockerignore leaves out tests and data).
FROM deps AS build
COPY . .
RUN npm run build && rm -rf .next/cache

# Runtime packages only: next, react, kafkajs and the broker's native codecs,
# which the server bundle loads from node_modules.
FROM node:20-bookworm AS runtime-deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY broker/package.json broker/
COPY broker/src/protocol/package.json broker/src/protocol/
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 KAFKA_BROKERS=broker:29092
COPY --from=runtime-deps /app/node_modules node_modules
COPY --from=build /app/.next .next
COPY package.json next.config.js ./
USER node
EXPOSE 3000
CMD ["node", "node_modules/next/dist/bin/next", "start", "-H", "0.0.0.0", "-p", "3000"]
