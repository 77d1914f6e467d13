export { apiTokenResolver } from './resolver.ts';
export { registerTokenRoutes, ensureTokenIndexes } from './routes.ts';
export { TOKEN_ACTIONS, TOKEN_PREFIX, API_TOKENS, publicToken, type ApiTokenDoc, type TokenAction } from './model.ts';
