export { registerViewRoutes } from './routes.ts';
export { VIEWS, publicView, type ViewDoc } from './model.ts';
