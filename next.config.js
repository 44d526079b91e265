/** @type {import('next').NextConfig} */
const nextConfig = {
  // The wire protocol is a workspace package of TypeScript sources: Next compiles it.
  transpilePackages: ["@sluice/protocol"],
  // kafkajs and the protocol's native codecs are loaded by Node at run time, not bundled.
  serverExternalPackages: ["kafkajs", "snappy", "lz4-napi", "zstd-napi", "@node-rs/crc32"],
  poweredByHeader: false,
  reactStrictMode: true,
  eslint: { ignoreDuringBuilds: true },
  typescript: { ignoreBuildErrors: true },
  // Headers for every response, static files included; the content security policy (with its nonce) comes from middleware.ts.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
          { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
        ],
      },
    ];
  },
};

export default nextConfig;
