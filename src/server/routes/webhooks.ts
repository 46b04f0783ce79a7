import type { Router } from '../router.js';

export function registerWebhookRoutes(_router: Router): void {}
