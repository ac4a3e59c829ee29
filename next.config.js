/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // `npm test` type-checks the whole project (tsc --noEmit) before it builds; checking again
  // inside `next build` would only double the build's time.
  typescript: { ignoreBuildErrors: true },
  // No request leaves the machine: no telemetry, no remote images, no fonts from a CDN.
  images: { unoptimized: true },
  poweredByHeader: false,
  // Metadata (the tab's title) is written into <head> with the page, for every browser, not
  // streamed in after it: streamed, a live page's refresh left the tab without a title for up
  // to 280 ms at a time. Our titles need no data, so nothing waits for them.
  htmlLimitedBots: /.*/,
  // The headers every page and API answer carry: no framing by other sites, no MIME sniffing,
  // no referrer sent to other origins.
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default nextConfig;
