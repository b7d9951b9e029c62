// quadcopter, expert reward: the form of IsaacGymEnvs' Quadcopter reward (position
// reward 1 / (1 + d^2), scaled up further when level and not spinning about z).
double compute_reward(const env_state *s, reward_terms *t) {
    double dist = vec3_dist(s->pos, s->target_pos);
    double pos_reward = 1.0 / (1.0 + dist * dist);
    double tilt = fabs(1.0 - s->up[2]);
    double spin = fabs(s->ang_vel[2]);
    double r = 0.0;
    r += term(t, "pos_reward", pos_reward);
    r += term(t, "up_reward", pos_reward * (1.0 / (1.0 + tilt * tilt)));
    r += term(t, "spin_reward", pos_reward * (1.0 / (1.0 + spin * spin)));
    return r;
}
