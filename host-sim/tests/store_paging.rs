//! Paging parameters, `X-WP-Total*`, the `Link` header, ordering and `_fields` on lists.

mod store_support;

use serde_json::{Value, json};
use store_support::{Sim, recording};

const PRODUCTS: &str = "/wp-json/wc/v3/products";

fn ids(body: &Value) -> Vec<u64> {
    body.as_array()
        .map(|items| items.iter().filter_map(|i| i["id"].as_u64()).collect())
        .unwrap_or_default()
}

async fn list(sim: &Sim, query: &[(&str, &str)]) -> store_support::Reply {
    let reply = sim.oauth("GET", PRODUCTS, query, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply
}

#[tokio::test]
async fn totals_count_parents_and_links_point_both_ways() {
    let sim = Sim::fixtures();
    let first = list(&sim, &[("per_page", "2"), ("page", "1")]).await;
    assert_eq!(
        first.header("x-wp-total").as_deref(),
        Some("7"),
        "parents only"
    );
    assert_eq!(first.header("x-wp-totalpages").as_deref(), Some("4"));
    let link = first.header("link").unwrap_or_default();
    assert!(link.ends_with("rel=\"next\""), "{link}");
    assert!(!link.contains("rel=\"prev\""));
    assert!(
        link.contains("per_page=2&page=2&oauth_consumer_key="),
        "{link}"
    );
    assert_eq!(first.headers.get_all("link").iter().count(), 1);

    let second = list(&sim, &[("per_page", "2"), ("page", "2")]).await;
    let link = second.header("link").unwrap_or_default();
    let parts: Vec<&str> = link.split(", <").collect();
    assert_eq!(parts.len(), 2, "{link}");
    assert!(parts[0].contains("page=1") && parts[0].ends_with("rel=\"prev\""));
    assert!(parts[1].contains("page=3") && parts[1].ends_with("rel=\"next\""));

    let last = list(&sim, &[("per_page", "2"), ("page", "4")]).await;
    assert_eq!(ids(&last.json()).len(), 1);
    let link = last.header("link").unwrap_or_default();
    assert!(
        link.ends_with("rel=\"prev\"") && !link.contains("next"),
        "{link}"
    );

    let beyond = list(&sim, &[("per_page", "2"), ("page", "9")]).await;
    assert_eq!(beyond.status, 200);
    assert_eq!(beyond.text, "[]");
    assert_eq!(beyond.header("x-wp-total").as_deref(), Some("7"));
    let link = beyond.header("link").unwrap_or_default();
    assert!(
        link.contains("&page=4&") && link.ends_with("rel=\"prev\""),
        "{link}"
    );

    let one_page = list(&sim, &[("per_page", "100")]).await;
    assert_eq!(
        one_page.header("link").as_deref(),
        Some(
            format!(
                "<{}/wp-json/>; rel=\"https://api.w.org/\"",
                sim.store.base_url()
            )
            .as_str()
        ),
        "without pages the usual api.w.org link stays"
    );
}

#[tokio::test]
async fn page_parameters_are_validated_like_wordpress() {
    let sim = Sim::fixtures();
    for (value, file) in [
        ("0", "ERR-per_page-0-400.json"),
        ("101", "ERR-per_page-101-400.json"),
    ] {
        let reply = sim
            .oauth("GET", PRODUCTS, &[("per_page", value)], None)
            .await;
        assert_eq!(reply.status, 400);
        assert_eq!(reply.json(), recording(file)["body"]);
    }
    let reply = sim.oauth("GET", PRODUCTS, &[("page", "0")], None).await;
    assert_eq!(
        reply.json()["data"]["params"]["page"],
        json!("page must be greater than or equal to 1")
    );
    let reply = sim
        .oauth("GET", PRODUCTS, &[("per_page", "ten")], None)
        .await;
    assert_eq!(
        reply.json()["data"]["details"]["per_page"]["code"],
        json!("rest_invalid_type")
    );
    let reply = sim
        .oauth(
            "GET",
            PRODUCTS,
            &[("per_page", "0"), ("orderby", "name")],
            None,
        )
        .await;
    assert_eq!(reply.message(), "Invalid parameter(s): per_page, orderby");
}

#[tokio::test]
async fn order_lists_add_their_defaults_to_the_link() {
    let sim = Sim::fixtures();
    let reply = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/orders",
            &[("per_page", "3"), ("page", "1")],
            None,
        )
        .await;
    assert_eq!(reply.header("x-wp-total").as_deref(), Some("6"));
    let link = reply.header("link").unwrap_or_default();
    assert!(
        link.ends_with("&status%5B0%5D=any&dp=2&context=view>; rel=\"next\""),
        "{link}"
    );
    let reply = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/orders",
            &[("per_page", "1"), ("status", "processing,cancelled")],
            None,
        )
        .await;
    assert_eq!(reply.header("x-wp-total").as_deref(), Some("2"));
    let link = reply.header("link").unwrap_or_default();
    // The controller takes `status` out of the request and puts it back, so it moves to the end.
    assert!(
        link.contains(
            "&status%5B0%5D=processing&status%5B1%5D=cancelled&dp=2&context=view&page=2>"
        ),
        "{link}"
    );
    assert!(link.contains("?per_page=1&oauth_consumer_key="), "{link}");
}

#[tokio::test]
async fn ordering_include_offset_and_fields() {
    let sim = Sim::fixtures();
    let asc = sim
        .oauth(
            "GET",
            PRODUCTS,
            &[("orderby", "id"), ("order", "asc")],
            None,
        )
        .await
        .json();
    assert_eq!(ids(&asc), vec![1029, 1030, 1031, 1032, 1033, 1035, 1036]);
    let default = sim.oauth("GET", PRODUCTS, &[], None).await.json();
    assert_eq!(
        ids(&default)[0],
        1036,
        "newest first, ties by id descending"
    );
    let included = sim
        .oauth(
            "GET",
            PRODUCTS,
            &[
                ("include", "1031,1029"),
                ("orderby", "include"),
                ("order", "asc"),
            ],
            None,
        )
        .await
        .json();
    assert_eq!(ids(&included), vec![1031, 1029]);
    let offset = sim
        .oauth(
            "GET",
            PRODUCTS,
            &[("orderby", "id"), ("order", "asc"), ("offset", "5")],
            None,
        )
        .await
        .json();
    assert_eq!(ids(&offset), vec![1035, 1036]);
    let titles = sim
        .oauth(
            "GET",
            PRODUCTS,
            &[("orderby", "title"), ("order", "asc"), ("per_page", "2")],
            None,
        )
        .await
        .json();
    assert_eq!(titles[0]["name"], json!("FX Batch-Loeschkandidat"));

    let trimmed = sim
        .oauth(
            "GET",
            PRODUCTS,
            &[("per_page", "3"), ("_fields", "id,sku,date_modified_gmt")],
            None,
        )
        .await;
    for item in trimmed.json().as_array().into_iter().flatten() {
        let mut keys: Vec<&String> = item
            .as_object()
            .map(|o| o.keys().collect())
            .unwrap_or_default();
        keys.sort();
        assert_eq!(keys, ["date_modified_gmt", "id", "sku"]);
    }
    assert_eq!(trimmed.header("x-wp-total").as_deref(), Some("7"));

    let by_type = sim
        .oauth("GET", PRODUCTS, &[("type", "variable")], None)
        .await
        .json();
    assert_eq!(ids(&by_type), vec![1036]);
    let searched = sim
        .oauth("GET", PRODUCTS, &[("search", "poster")], None)
        .await
        .json();
    assert_eq!(ids(&searched), vec![1031]);
}

#[tokio::test]
async fn sku_lists_include_variations_in_the_totals() {
    let sim = Sim::fixtures();
    let reply = sim
        .oauth(
            "GET",
            PRODUCTS,
            &[
                ("sku", "FX-MUG,FX-TSHIRT-S-RED,fx-poster"),
                ("per_page", "100"),
            ],
            None,
        )
        .await;
    assert_eq!(reply.header("x-wp-total").as_deref(), Some("3"));
    let mut found = ids(&reply.json());
    found.sort_unstable();
    assert_eq!(found, vec![1029, 1031, 1037]);
    // A variation without its own SKU is not found by the parent's SKU.
    let reply = sim
        .oauth("GET", PRODUCTS, &[("sku", "FX-TSHIRT")], None)
        .await;
    assert_eq!(ids(&reply.json()), vec![1036]);
    // Items of the list are not trimmed: a space makes it another SKU.
    let reply = sim
        .oauth("GET", PRODUCTS, &[("sku", "FX-MUG, FX-POSTER")], None)
        .await;
    assert_eq!(ids(&reply.json()), vec![1029]);
}

#[tokio::test]
async fn variations_and_customers_are_paged_too() {
    let sim = Sim::fixtures();
    let reply = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/products/1036/variations",
            &[("per_page", "2")],
            None,
        )
        .await;
    assert_eq!(reply.header("x-wp-total").as_deref(), Some("3"));
    assert_eq!(reply.header("x-wp-totalpages").as_deref(), Some("2"));
    assert_eq!(ids(&reply.json()), vec![1039, 1038]);
    let reply = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/products/1036/variations",
            &[("sku", "FX-TSHIRT-M-BLUE")],
            None,
        )
        .await;
    assert_eq!(ids(&reply.json()), vec![1038]);

    let customers = sim
        .oauth("GET", "/wp-json/wc/v3/customers", &[], None)
        .await;
    assert_eq!(customers.header("x-wp-total").as_deref(), Some("3"));
    assert_eq!(ids(&customers.json()), vec![4, 5, 6], "by name, ascending");
    let everyone = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/customers",
            &[("role", "all"), ("orderby", "id")],
            None,
        )
        .await;
    assert_eq!(ids(&everyone.json()), vec![1, 4, 5, 6]);
    let paged = sim
        .oauth(
            "GET",
            "/wp-json/wc/v3/customers",
            &[("per_page", "1"), ("page", "2")],
            None,
        )
        .await;
    assert_eq!(ids(&paged.json()), vec![5]);
    assert!(
        paged
            .header("link")
            .unwrap_or_default()
            .contains("rel=\"prev\"")
    );
}
