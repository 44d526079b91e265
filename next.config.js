/** @type {import('next').NextConfig} */
const nextConfig = {
  // kafkajs and the broker's native codecs (used by server/ through broker/src/protocol)
  // are loaded by Node at run time, not bundled.
  serverExternalPackages: ["kafkajs", "snappy", "lz4-napi", "zstd-napi", "@node-rs/crc32"],
  poweredByHeader: false,
  reactStrictMode: true,
  eslint: { ignoreDuringBuilds: true },
  typescript: { ignoreBuildErrors: true },
};

export default nextConfig;
