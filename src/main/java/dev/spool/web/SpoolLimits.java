package dev.spool.web;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Request size and shape limits (docs/api.md §3 and §9).
 *
 * @param jobsPerRequest most jobs one create request may carry
 * @param requestBody largest request body accepted
 * @param document largest serialized payload, result, checkpoint or event data
 * @param maxJsonDepth deepest JSON nesting accepted
 * @param workerBody largest body of a worker call that carries a document (complete, fail, kill,
 *     progress, checkpoint, event); by default {@code document} plus 64 KiB for the rest of the
 *     body
 * @param smallBody largest body of every other endpoint but create, the batch calls and logs (which
 *     take {@code requestBody})
 * @param maxJsonTokens most JSON tokens (values, names, brackets) one request body may hold: what a
 *     parsed body costs in memory depends on them more than on its bytes
 */
@Validated
@ConfigurationProperties("spool.limits")
public record SpoolLimits(
    @DefaultValue("1000") int jobsPerRequest,
    @DefaultValue("10MB") DataSize requestBody,
    @DefaultValue("1MB") DataSize document,
    @DefaultValue("100") int maxJsonDepth,
    DataSize workerBody,
    @DefaultValue("64KB") DataSize smallBody,
    @DefaultValue("1000000") long maxJsonTokens) {

  private static final long WORKER_BODY_OVERHEAD = DataSize.ofKilobytes(64).toBytes();

  /** The worker-call body limit in bytes: the setting, or the document limit plus 64 KiB. */
  public long workerBodyBytes() {
    return workerBody != null ? workerBody.toBytes() : document.toBytes() + WORKER_BODY_OVERHEAD;
  }
}
