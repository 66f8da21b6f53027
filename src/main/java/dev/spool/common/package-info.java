/**
 * Small pieces every module may use and that depend on no other module: ULIDs ({@code Ids}), the
 * API's timestamp format ({@code Timestamps}), the one Java {@code Clock} bean, and {@code
 * BackgroundLoop}, the base of every background thread (catch everything, back off, report health).
 */
package dev.spool.common;
