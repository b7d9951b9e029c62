// expect: bad_reward
// message: overwrote its reward_terms
// reward_terms is opaque to rewards, but a cast reaches it.
double compute_reward(const env_state *s, reward_terms *t) {
    int *n = (int *)(void *)t;
    *n = 100000;
    return s->cart_pos;
}
