# One image for the api and worker services of docker-compose.yml; the command picks the role.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Scripts are skipped: the postinstall fetches the embedded Temporal binaries, which production
# does not use (TEMPORAL_ADDRESS points at the cluster).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY . .
USER node
ENV HOST=0.0.0.0
EXPOSE 3000
CMD ["npm", "run", "start:api"]
