//! Names the store sends from a set WooCommerce defines (a product's type, a post's status), as
//! enums. Extensions add their own (a `bundle` type, a `wc-archived` status), so every enum keeps
//! an `Other` arm with the text as sent: a value this version does not know is carried through,
//! shown and compared, never refused. The known values cost no allocation, which matters in a
//! catalog of 100,000 items.

use std::borrow::Cow;

macro_rules! store_names {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version does not know, as the store sent it.
            Other(String),
        }

        impl $name {
            /// Reads the store's text; an unknown one is kept as [`Self::Other`].
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => Self::$variant, )+
                    other => Self::Other(other.to_string()),
                }
            }

            /// The text WooCommerce uses in the REST API.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $text, )+
                    Self::Other(text) => text,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = Cow::<'de, str>::deserialize(deserializer)?;
                Ok(Self::parse(&text))
            }
        }
    };
}

store_names! {
    /// A product's type (`type` in the REST API).
    pub enum ProductType {
        /// A product sold as it is.
        Simple = "simple",
        /// A product whose variations are sold (sizes, colours).
        Variable = "variable",
        /// One variation of a variable product.
        Variation = "variation",
        /// A group of other products shown together.
        Grouped = "grouped",
        /// A product sold on another site (a link).
        External = "external",
    }
}

store_names! {
    /// A product's or a variation's publication status (`status` in the REST API).
    pub enum PostStatus {
        /// Published: visible in the shop.
        Publish = "publish",
        /// Visible to the shop's staff only.
        Private = "private",
        /// A draft.
        Draft = "draft",
        /// Awaiting review.
        Pending = "pending",
        /// Scheduled for publication.
        Future = "future",
        /// In the trash.
        Trash = "trash",
        /// Created by WordPress and never saved.
        AutoDraft = "auto-draft",
        /// Takes the status of its parent (attachments).
        Inherit = "inherit",
    }
}

#[cfg(test)]
mod tests {
    use super::{PostStatus, ProductType};

    #[test]
    fn known_names_read_as_their_variant_and_others_are_kept_as_sent() {
        assert_eq!(ProductType::parse("variable"), ProductType::Variable);
        assert_eq!(PostStatus::parse("auto-draft"), PostStatus::AutoDraft);
        let bundle = ProductType::parse("bundle");
        assert_eq!(bundle, ProductType::Other("bundle".to_string()));
        assert_eq!(bundle.as_str(), "bundle");
        assert_eq!(format!("{bundle} {bundle:?}"), "bundle \"bundle\"");
    }

    #[test]
    fn they_travel_as_the_store_text() {
        let json = serde_json::to_string(&(ProductType::Grouped, PostStatus::Other("x".into())))
            .expect("serialise");
        assert_eq!(json, r#"["grouped","x"]"#);
        let back: (ProductType, PostStatus) = serde_json::from_str(&json).expect("read back");
        assert_eq!(back, (ProductType::Grouped, PostStatus::Other("x".into())));
    }
}
