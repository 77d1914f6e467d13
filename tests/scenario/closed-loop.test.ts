import { TestApi } from '../support/api.ts';
import { closedLoop } from './closed-loop.ts';

closedLoop(
  'the template suite closed loop on the inline queue',
  () => TestApi.start(),
  async (api) => api?.close(),
);
