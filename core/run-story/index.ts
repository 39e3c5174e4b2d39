// The run's story in one place: import from here.
export * from './ids.js';
export * from './status.js';
export * from './events.js';
export * from './carry.js';
export * from './fold.js';
export * from './render.js';
export * from './view.js';
