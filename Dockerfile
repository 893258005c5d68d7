# The worker and the API for a real deployment (see docker-compose.yml): `npm run worker` or `npm run api`.
FROM node:20-bookworm-slim

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src
COPY scripts/healthcheck-worker.ts ./scripts/

# Never run as root; the image's `node` user owns nothing it does not need.
USER node
EXPOSE 3000
CMD ["npm", "run", "api"]
