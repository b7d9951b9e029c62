// expect: ok
// A plain shaped reward: keep the pole up and the cart near the centre.
double compute_reward(const env_state *s, reward_terms *t) {
    double upright = term(t, "upright", cos(s->pole_angle));
    double centre = term(t, "centre", -0.1 * s->cart_pos * s->cart_pos);
    double effort = term(t, "effort", -0.001 * square(s->action[0]));
    return upright + centre + effort;
}
