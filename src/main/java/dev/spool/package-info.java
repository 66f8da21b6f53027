/**
 * Spool: a self-hosted job dispatch queue on PostgreSQL, wire-compatible with emit.run. Each
 * sub-package is one module (a feature, or a shared piece such as {@code web} or {@code database})
 * and may use only the public types of the modules below it, never in a cycle: ModularityTests
 * checks this on every build, and docs/development.md draws the layers.
 */
package dev.spool;
