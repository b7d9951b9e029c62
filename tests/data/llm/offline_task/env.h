/* cartpole: what the reward can read at every control step (50 Hz).
 * A pole hinged on a cart that slides on a rail; the policy pushes the cart.
 * The episode ends early when the cart leaves the rail or the pole falls. */
#define CART_LIMIT 3.0           /* m: the episode fails when |cart_pos| exceeds this */
#define POLE_LIMIT 1.5707963     /* rad: the episode fails when |pole_angle| exceeds this */

typedef struct env_state {
    double cart_pos;             /* cart position along the rail, m (0 = centre) */
    double cart_vel;             /* cart velocity, m/s */
    double pole_angle;           /* pole angle from upright, rad (positive = towards +x) */
    double pole_angvel;          /* pole angular velocity, rad/s */
    double action[1];            /* this step's force command, in [-1, 1] */
    int step;                    /* control step within the episode, 0..499 */
} env_state;
