import { VantResolver } from '@vant/auto-import-resolver'
import vue from '@vitejs/plugin-vue'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'
import Components from 'unplugin-vue-components/vite'
import { defineConfig } from 'vitest/config'

// One project, one page per app: the learners' app at / (Vant) and the administrators'
// console at /admin/ (Element Plus), each component imported on demand.
export default defineConfig({
  plugins: [
    vue(),
    Components({ resolvers: [VantResolver(), ElementPlusResolver({ importStyle: 'css' })], dts: false }),
  ],
  build: {
    target: 'es2020',
    manifest: true, // make bench reads it to size each screen with what it imports
    rollupOptions: { input: { index: 'index.html', admin: 'admin.html' } },
  },
  server: {
    // `npm run dev` against `make run`'s stack on :8000
    proxy: {
      '^/(credits|exams|reports|roster|cognito|config\\.json)': 'http://127.0.0.1:8000',
    },
  },
  test: {
    environment: 'jsdom',
    include: ['tests/unit/**/*.test.ts'],
    // Vant's components import their CSS: run through Vite so a page can be mounted
    server: { deps: { inline: ['vant'] } },
  },
})
