// expect: crash
// message: SIGSEGV
// A mutable global hidden in a macro gets past the lexical check, but the compiled
// image is read-only: the first write faults.
#define DECLARE_STATE double hidden_total = 0;
DECLARE_STATE
double compute_reward(const env_state *s, reward_terms *t) {
    hidden_total += s->cart_pos;
    return term(t, "x", hidden_total);
}
