//! The HTML pages a site answers outside the REST API.

/// The theme's front page.
pub(crate) fn front_page(store_name: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n\t<meta charset=\"UTF-8\" />\n\t<title>{store_name}</title>\n</head>\n<body class=\"home\">\n<h1>{store_name}</h1>\n<p>Welcome to our shop.</p>\n</body>\n</html>\n"
    )
}

/// WordPress's own "Page not found" page.
pub(crate) fn wordpress_not_found(store_name: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en-US\">\n<head>\n\t<meta charset=\"UTF-8\" />\n\t<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n<meta name='robots' content='noindex, nofollow' />\n<title>Page not found &#8211; {store_name}</title>\n</head>\n<body class=\"error404\">\n<h1>Page not found</h1>\n<p>It looks like nothing was found at this location.</p>\n</body>\n</html>\n"
    )
}

/// The web server's 404 when no rewrite rules route the path to WordPress.
pub(crate) fn server_not_found(path: &str) -> String {
    format!(
        "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n<html><head>\n<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n<p>The requested URL {} was not found on this server.</p>\n<hr>\n<address>Apache Server at 127.0.0.1</address>\n</body></html>\n",
        escape(path)
    )
}

/// Some site that is not WordPress at all.
pub(crate) fn other_site_page() -> String {
    "<!DOCTYPE html>\n<html><head><title>Welcome</title></head><body><h1>It works!</h1><p>This is not the shop you are looking for.</p></body></html>\n".to_owned()
}

/// A 301 body as nginx writes it.
pub(crate) fn moved_permanently() -> String {
    "<html>\r\n<head><title>301 Moved Permanently</title></head>\r\n<body>\r\n<center><h1>301 Moved Permanently</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n".to_owned()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
