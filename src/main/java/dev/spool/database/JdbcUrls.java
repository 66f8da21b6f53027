package dev.spool.database;

import java.util.regex.Pattern;

/** JDBC URLs as they may be shown in logs and error messages: without any password. */
final class JdbcUrls {

  private static final Pattern PASSWORD_PARAMETER =
      Pattern.compile("(?i)([?&;](?:password|sslpassword)=)[^&;]*");
  private static final Pattern USER_INFO = Pattern.compile("//([^/@:]+):[^/@]*@");

  private JdbcUrls() {}

  static String withoutPassword(String url) {
    if (url == null || url.isBlank()) {
      return "(no URL set)";
    }
    String masked = PASSWORD_PARAMETER.matcher(url).replaceAll("$1***");
    return USER_INFO.matcher(masked).replaceAll("//$1:***@");
  }
}
