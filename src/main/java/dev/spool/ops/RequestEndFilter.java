package dev.spool.ops;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * A filter that reports every request once it has ended, with its final status: when the chain
 * returns, or — for a long poll, whose answer is written later on another thread — when its async
 * context completes. An exception escaping the chain is reported as the 500 the container will
 * answer (unless the response was already committed).
 */
abstract class RequestEndFilter extends OncePerRequestFilter {

  /** Whether to time and report this request at all (checked before the chain runs). */
  protected boolean observes(HttpServletRequest request) {
    return true;
  }

  /**
   * @param failure what escaped the chain, or null
   * @param startNanos {@link System#nanoTime()} when the request entered this filter
   */
  protected abstract void ended(
      HttpServletRequest request, int status, Throwable failure, long startNanos);

  @Override
  protected final void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (!observes(request)) {
      chain.doFilter(request, response);
      return;
    }
    long start = System.nanoTime();
    Throwable failure = null;
    try {
      chain.doFilter(request, response);
    } catch (IOException | ServletException | RuntimeException | Error e) {
      failure = e;
      throw e;
    } finally {
      if (failure == null && request.isAsyncStarted()) {
        request.getAsyncContext().addListener(new OnComplete(start));
      } else {
        int status = failure != null && !response.isCommitted() ? 500 : response.getStatus();
        ended(request, status, failure, start);
      }
    }
  }

  private final class OnComplete implements AsyncListener {
    private final long start;

    OnComplete(long start) {
      this.start = start;
    }

    @Override
    public void onComplete(AsyncEvent event) {
      ended(
          (HttpServletRequest) event.getSuppliedRequest(),
          ((HttpServletResponse) event.getSuppliedResponse()).getStatus(),
          null,
          start);
    }

    @Override
    public void onTimeout(AsyncEvent event) {}

    @Override
    public void onError(AsyncEvent event) {}

    @Override
    public void onStartAsync(AsyncEvent event) {}
  }
}
