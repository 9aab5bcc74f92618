//! The store test suite, generic over the backend.
//!
//! Every case takes an `Arc<dyn Store>` holding an empty database. A backend
//! runs the whole suite with `store_suite!(factory)`, where `factory` is an
//! `async fn() -> (Arc<dyn Store>, Guard)` (the guard keeps temporary files
//! alive). `tests/store_sqlite.rs` does this for SQLite; the PostgreSQL store
//! will do the same.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

pub mod cases_keys;
pub mod cases_outbox;
pub mod cases_user;
pub mod fixtures;

/// Generates one `#[tokio::test]` per suite case, each on a fresh store from
/// `$factory`.
#[macro_export]
macro_rules! store_suite {
    ($factory:path) => {
        $crate::store_suite!(@cases $factory;
            cases_keys::sessions_lifecycle,
            cases_keys::device_round_trip,
            cases_keys::signal_round_trip,
            cases_keys::prekeys_round_trip,
            cases_keys::prekey_allocation_never_reuses,
            cases_keys::app_state_round_trip,
            cases_user::contacts_round_trip,
            cases_user::chats_and_labels_round_trip,
            cases_user::messages_round_trip,
            cases_user::message_queries,
            cases_user::starred_messages,
            cases_user::lid_map_round_trip,
            cases_user::event_buffer_round_trip,
            cases_outbox::outbox_lifecycle,
            cases_outbox::outbox_resume_query,
            cases_outbox::batch_is_atomic,
            cases_outbox::group_commit_under_concurrency,
            cases_outbox::delete_session_removes_everything,
            cases_outbox::reset_account_keeps_registration,
        );
    };
    (@cases $factory:path; $($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let (store, _guard) = $factory().await;
                store_suite::$module::$case(store).await;
            }
        )*
    };
}
