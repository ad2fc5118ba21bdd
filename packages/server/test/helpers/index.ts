export * from './app.js';
export * from './builders.js';
