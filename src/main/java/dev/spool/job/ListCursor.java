package dev.spool.job;

import dev.spool.common.Ids;
import dev.spool.web.ApiException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * The opaque keyset cursor of {@code GET /spaces/:id/jobs}: the id of the last job of a page,
 * versioned and base64url-encoded so clients treat it as a token. It carries no authority: a cursor
 * only positions the scan inside the caller's own space, so a forged but well-formed one can reveal
 * nothing; a malformed one is a 400.
 */
final class ListCursor {

  private static final String VERSION = "j1:";

  private ListCursor() {}

  static String encode(String lastJobId) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((VERSION + lastJobId).getBytes(StandardCharsets.US_ASCII));
  }

  /** The job id the next page starts below; 400 when the text is not a cursor Spool issued. */
  static String decode(String cursor) {
    String text;
    try {
      text = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.US_ASCII);
    } catch (IllegalArgumentException e) {
      throw invalid();
    }
    if (!text.startsWith(VERSION) || !Ids.isValid(text.substring(VERSION.length()))) {
      throw invalid();
    }
    return text.substring(VERSION.length());
  }

  private static ApiException invalid() {
    return ApiException.validation(
        java.util.List.of(
            new ApiException.FieldError(
                "cursor", "cursor is invalid; pass the Next-Cursor header of a previous page")));
  }
}
