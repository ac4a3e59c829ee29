/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  // The engine and compiler are plain TypeScript modules beside the app.
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
