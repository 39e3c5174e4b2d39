// Imported first by main.ts: the router reads the address when its module loads, so ?token= must be
// gone from it before then (or the router would put it back).
import { adoptTokenFromAddress } from './api/token';

adoptTokenFromAddress();
