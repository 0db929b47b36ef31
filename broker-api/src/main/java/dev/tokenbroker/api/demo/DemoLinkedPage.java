package dev.tokenbroker.api.demo;

import org.springframework.context.annotation.Conditional;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Where the demo app's connect flows end: says whether linking worked and what to try next. */
@RestController
@Conditional(OnDemoMode.class)
final class DemoLinkedPage {

    @GetMapping("/demo/linked")
    ResponseEntity<String> linked(@RequestParam(required = false) String status,
                                  @RequestParam(required = false) String error) {
        boolean linked = "linked".equals(status);
        // Only fixed texts: the error code is echoed only when it is one of the known ones.
        String detail = linked ? "The demo account is linked. Fetch its access token with the curl command from the README."
                : "Linking did not complete: " + (error != null && error.matches("[a-z_]{1,40}") ? error : "unknown error") + ".";
        // Cache-Control, Referrer-Policy, CSP and the other browser headers: BrowserPageHeadersFilter.
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML)
                .body("<!doctype html><html><head><meta charset=\"utf-8\"><title>Token Broker demo</title></head><body>"
                        + "<h1 id=\"status\">" + (linked ? "Linked" : "Not linked") + "</h1><p>" + detail + "</p></body></html>");
    }
}
