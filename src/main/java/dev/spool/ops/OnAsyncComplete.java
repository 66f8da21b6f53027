package dev.spool.ops;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/**
 * For filters that report a request when it ends: a long poll's answer is written later, on another
 * thread, so they attach this to its async context and hear of its completion with the request and
 * the final status.
 */
@FunctionalInterface
interface OnAsyncComplete extends AsyncListener {

  void completed(HttpServletRequest request, int status);

  @Override
  default void onComplete(AsyncEvent event) {
    completed(
        (HttpServletRequest) event.getSuppliedRequest(),
        ((HttpServletResponse) event.getSuppliedResponse()).getStatus());
  }

  @Override
  default void onTimeout(AsyncEvent event) {}

  @Override
  default void onError(AsyncEvent event) {}

  @Override
  default void onStartAsync(AsyncEvent event) {}
}
